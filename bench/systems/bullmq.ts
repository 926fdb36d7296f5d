/** BullMQ on Redis, one fresh queue per run (removed with obliterate afterwards). */
import { Queue } from 'bullmq';
import { redisConnection, uniqueName } from '../lib/services.js';
import { benchScript, type QueueStore, type QueueSystem, type WorkerRequest } from './types.js';

class BullStore implements QueueStore {
  static async open(): Promise<BullStore> {
    const name = uniqueName('bull');
    const queue = new Queue(name, { connection: redisConnection() });
    await queue.waitUntilReady();
    return new BullStore(name, queue);
  }

  private constructor(
    private readonly name: string,
    private readonly queue: Queue,
  ) {}

  async addOne(): Promise<void> {
    await this.queue.add('job', {});
  }

  async addMany(count: number): Promise<void> {
    await this.queue.addBulk(Array.from({ length: count }, () => ({ name: 'job', data: {} })));
  }

  async unfinished(): Promise<number> {
    const counts = await this.queue.getJobCounts(
      'wait',
      'active',
      'delayed',
      'prioritized',
      'waiting-children',
    );
    return Object.values(counts).reduce((sum, n) => sum + n, 0);
  }

  worker(request: WorkerRequest) {
    return benchScript(
      'bullmq-worker.ts',
      {
        BENCH_QUEUE: this.name,
        BENCH_MODE: request.mode,
        BENCH_CONCURRENCY: String(request.concurrency),
      },
      request.nodeFlags,
    );
  }

  async close(): Promise<void> {
    await this.queue.obliterate({ force: true });
    await this.queue.close();
  }
}

export const bullmq: QueueSystem = {
  id: 'bullmq',
  label: 'BullMQ (Redis)',
  role: 'peer',
  scenarios: ['throughput', 'pickup', 'enqueue'],
  open: () => BullStore.open(),
};
