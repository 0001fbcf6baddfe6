import type { OutputFamily } from '../../model/manifest.ts';
import { createEnd2endDecoder } from './end2end.ts';
import { createGflDecoder } from './gfl.ts';
import type { DecoderFactory } from './types.ts';
import { createYolov5Decoder, createYolov8Decoder, createYoloxDecoder } from './yolo.ts';

export const decoderFactories: Record<OutputFamily, DecoderFactory> = {
  gfl: createGflDecoder,
  yolov8: createYolov8Decoder,
  yolov5: createYolov5Decoder,
  yolox: createYoloxDecoder,
  end2end: createEnd2endDecoder,
};
