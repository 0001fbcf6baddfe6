/**
 * Growable struct-of-arrays of candidate boxes, reused across frames so decoding allocates nothing
 * once it has reached its working size.
 */
export class RawBoxes {
  x1 = new Float32Array(256);
  y1 = new Float32Array(256);
  x2 = new Float32Array(256);
  y2 = new Float32Array(256);
  score = new Float32Array(256);
  classId = new Int32Array(256);
  /** Which pass produced the box: 0 = whole frame, i + 1 = window i. */
  pass = new Int32Array(256);
  length = 0;

  clear(): void {
    this.length = 0;
  }

  push(x1: number, y1: number, x2: number, y2: number, score: number, classId: number, pass = 0): void {
    if (this.length === this.score.length) this.grow();
    const i = this.length++;
    this.x1[i] = x1;
    this.y1[i] = y1;
    this.x2[i] = x2;
    this.y2[i] = y2;
    this.score[i] = score;
    this.classId[i] = classId;
    this.pass[i] = pass;
  }

  private grow(): void {
    const n = this.score.length * 2;
    const f = (a: Float32Array) => {
      const b = new Float32Array(n);
      b.set(a);
      return b;
    };
    const g = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.x1 = f(this.x1);
    this.y1 = f(this.y1);
    this.x2 = f(this.x2);
    this.y2 = f(this.y2);
    this.score = f(this.score);
    this.classId = g(this.classId);
    this.pass = g(this.pass);
  }
}
