/** How far a job page's workflow reaches (job-workflow.ts); no DOM here, so tests can import it. */

/** Levels shown above and below the job. */
export const WORKFLOW_DEPTH = 3;
/** Jobs read for one page, the job itself included. */
export const WORKFLOW_LIMIT = 40;
