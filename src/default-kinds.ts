/** The job kinds `createReelqueue` registers besides `noop` and `sleep`: `presentation` and `webhook`. */
import path from 'node:path';
import type { Config } from './config.js';
import type { OpenDatabase } from './db/open-database.js';
import type { JobKind } from './jobs/kinds.js';
import { presentationKind } from './render/presentation-kind.js';
import { presentationSegmentKind } from './render/split/segment-kind.js';
import { webhookKind } from './webhooks/webhook-kind.js';
import { withWebhookUrl } from './webhooks/webhook-url.js';

export function defaultKinds(database: OpenDatabase, config: Config): JobKind[] {
  const segmentKind = presentationSegmentKind({
    artifacts: database.artifacts,
    jobs: database.jobs,
    deploymentId: () => database.deploymentId(),
    ffmpegPath: config.ffmpegPath,
    maxScriptChars: config.lessonMaxScriptChars,
  });
  return [
    segmentKind,
    withWebhookUrl(
      presentationKind({
        artifacts: database.artifacts,
        deploymentId: () => database.deploymentId(),
        ttsCacheDir: path.resolve(config.dataDir, 'tts-cache'),
        ffmpegPath: config.ffmpegPath,
        ffprobePath: config.ffprobePath,
        llm: config.llm,
        tts: config.tts,
        maxScriptChars: config.lessonMaxScriptChars,
        split: {
          minSlides: config.splitRenderMinSlides,
          segmentSlides: config.splitRenderSegmentSlides,
          jobs: database.jobs,
          segmentKind,
        },
      }),
    ),
    webhookKind({
      jobs: database.jobs,
      users: database.users,
      webhooks: database.webhooks,
      allowPrivateAddresses: config.webhookAllowPrivate,
    }),
  ];
}
