/** CLEAR_LESSON_TEXT_AFTER_SUCCESS as the API documents it (both generate routes). */
export const LESSON_RETENTION_NOTE =
  'With CLEAR_LESSON_TEXT_AFTER_SUCCESS=true, the lesson text (payload lesson, markdown, script) is removed when the job completes with its video stored; the job, its status, result, events, the rest of its payload, the video and thumbnail are kept. By default everything is kept.';
