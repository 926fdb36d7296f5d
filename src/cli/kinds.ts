/** The job kinds every reelqueue process knows: `createReelqueue` registers them by default. */
export { defaultKinds } from '../default-kinds.js';
