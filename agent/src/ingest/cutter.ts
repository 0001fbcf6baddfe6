/**
 * Cuts exact `width*height*3` RGB24 frames out of the chunks of ffmpeg's stdout.
 *
 * Every byte is copied once, straight from the pipe chunk into the frame's own buffer; buffers handed back with
 * `recycle()` are reused, so a running camera allocates nothing per frame once the pool has warmed up.
 */
export class FrameCutter {
  readonly frameBytes: number;
  private current: Buffer | null = null;
  private filled = 0;
  private readonly free: Buffer[] = [];
  // Only buffers this cutter handed out and not yet got back may be recycled: a double recycle would let two
  // live frames share memory.
  private readonly outstanding = new WeakSet<Uint8Array>();

  constructor(
    width: number,
    height: number,
    private readonly onFrame: (data: Buffer) => void,
    private readonly maxPooled = 4,
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new Error(`expected a positive integer frame size, got ${width}×${height}`);
    }
    this.frameBytes = width * height * 3;
  }

  /** Bytes of an incomplete frame waiting for more data. */
  get partialBytes(): number {
    return this.filled;
  }

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      const frame = (this.current ??= this.free.pop() ?? Buffer.allocUnsafeSlow(this.frameBytes));
      const n = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      offset += n;
      if (this.filled === this.frameBytes) {
        this.current = null;
        this.filled = 0;
        this.outstanding.add(frame);
        this.onFrame(frame);
      }
    }
  }

  /** Drops an incomplete frame (the stream ended mid-frame); returns how many bytes it had. */
  discardPartial(): number {
    const had = this.filled;
    this.filled = 0;
    return had;
  }

  /**
   * A buffer that went to another thread and came back: the transfer detached it from its sender, so nobody else can
   * still read it. Only the size is checked.
   */
  recycleTransferred(data: Buffer): void {
    if (data.byteLength === this.frameBytes && data.byteOffset === 0 && this.free.length < this.maxPooled) this.free.push(data);
  }

  /** Gives a frame's buffer back once nobody reads it any more; unknown or already recycled buffers are ignored. */
  recycle(data: Uint8Array): void {
    if (!this.outstanding.has(data)) return;
    this.outstanding.delete(data);
    if (this.free.length < this.maxPooled) this.free.push(data as Buffer);
  }
}
