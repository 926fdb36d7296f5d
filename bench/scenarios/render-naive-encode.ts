/**
 * The naive encode the render scenario compares against: each slide image given with
 * `-loop 1 -t <seconds>`, so ffmpeg reads, decodes and converts it again for every frame. Same
 * encoder settings and output options as the pipeline's own command (`encodeArgs`).
 */
import { encodeArgs, type EncodePlan } from '../../src/render/ffmpeg/encode-args.js';

export type NarratedEncodePlan = EncodePlan & { readonly audioPath: string };

export function naiveEncodeArgs(plan: NarratedEncodePlan): string[] {
  const inputs = plan.slides.flatMap((slide) => [
    '-loop',
    '1',
    '-framerate',
    String(plan.fps),
    '-t',
    (slide.frames / plan.fps).toFixed(6),
    '-i',
    slide.imagePath,
  ]);
  const labels = plan.slides.map((_, index) => `[${index}:v]`).join('');
  const graph = `${labels}concat=n=${plan.slides.length}:v=1:a=0,format=yuv420p,setsar=1[v]`;
  const ours = encodeArgs(plan);
  // From `-map` on, the pipeline's output options (encoder, keyframes, audio, faststart, output path).
  const output = ours.slice(ours.indexOf('-map'));
  output[output.length - 1] = plan.outputPath;
  // prettier-ignore
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputs, '-i', plan.audioPath, '-filter_complex', graph, ...output];
}
