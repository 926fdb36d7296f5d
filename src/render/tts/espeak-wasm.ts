/**
 * eSpeak NG compiled to WebAssembly (from the `text2wav` package), run in a worker thread so that
 * speech never blocks the event loop and an AbortSignal can stop it mid-sentence (the worker is
 * terminated). The WebAssembly module is compiled once per process and shared with every worker.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SpeechEngine } from './engine.js';
import { ESPEAK_WORKER_SOURCE } from './espeak-worker-source.js';

const require = createRequire(import.meta.url);
const FACTORY_PATH = require.resolve('text2wav/lib/espeak-ng.js');
const WASM_PATH = require.resolve('text2wav/lib/espeak-ng.wasm');
const TEXT2WAV_VERSION = (require('text2wav/package.json') as { version: string }).version;
/** The eSpeak NG inside text2wav reports itself as 1.49.3-dev. */
export const ESPEAK_WASM_ENGINE_ID = `espeak-ng-1.49.3-wasm/text2wav-${TEXT2WAV_VERSION}`;

/** A compiled WebAssembly module; opaque here, it is only handed to the workers. */
type CompiledWasm = object;

// Without the DOM library, TypeScript has no type for the WebAssembly global: this is the part we use.
const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> } })
  .WebAssembly;

let compiled: Promise<CompiledWasm> | undefined;

function compiledEspeak(): Promise<CompiledWasm> {
  compiled ??= readFile(WASM_PATH).then((bytes) => wasm.compile(bytes));
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

interface WorkerReply {
  id: number;
  wav?: Uint8Array;
  error?: string;
}

interface Pending {
  resolve(wav: Uint8Array): void;
  reject(error: unknown): void;
}

/** One worker thread and the requests it has not answered yet. */
class SpeechWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #exited = false;

  constructor(wasmModule: CompiledWasm) {
    this.#worker = new Worker(ESPEAK_WORKER_SOURCE, {
      eval: true,
      workerData: { factoryPath: FACTORY_PATH, wasmModule },
    });
    this.#worker.unref();
    this.#worker.on('message', (reply: WorkerReply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if (reply.wav) pending?.resolve(reply.wav);
      else pending?.reject(new Error(`speech failed: ${reply.error ?? 'unknown error'}`));
      if (this.#pending.size === 0) this.#worker.unref();
    });
    this.#worker.on('error', (error) => this.#failAll(error));
    this.#worker.on('exit', (code) => {
      this.#exited = true;
      this.#failAll(new Error(`the speech worker stopped (exit code ${code})`));
    });
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  get usable(): boolean {
    return !this.#exited;
  }

  #failAll(error: unknown): void {
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }

  request(text: string, voice: string, pending: Pending): number {
    const id = this.#nextId++;
    this.#pending.set(id, pending);
    this.#worker.ref();
    this.#worker.postMessage({ id, text, voice });
    return id;
  }

  forget(id: number): void {
    this.#pending.delete(id);
  }

  async terminate(): Promise<void> {
    this.#exited = true;
    await this.#worker.terminate();
  }
}

/** Speech is spread over this many worker threads (fewer on a one-CPU machine). */
const MAX_WORKERS = Math.min(2, availableParallelism());

export class EspeakWasmEngine implements SpeechEngine {
  readonly id = ESPEAK_WASM_ENGINE_ID;
  #workers: SpeechWorker[] = [];

  /** The least busy worker, starting a new one while there are fewer than MAX_WORKERS. */
  async #worker(): Promise<SpeechWorker> {
    const wasmModule = await compiledEspeak();
    // From here on synchronous, so that requests made together do not each start a worker.
    this.#workers = this.#workers.filter((worker) => worker.usable);
    const idle = this.#workers.find((worker) => worker.pendingCount === 0);
    if (idle) return idle;
    if (this.#workers.length < MAX_WORKERS) {
      const worker = new SpeechWorker(wasmModule);
      this.#workers.push(worker);
      return worker;
    }
    return this.#workers.reduce((a, b) => (a.pendingCount <= b.pendingCount ? a : b));
  }

  async synthesizeWav(
    text: string,
    voice: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<Uint8Array> {
    const { signal } = options;
    signal?.throwIfAborted();
    const worker = await this.#worker();
    signal?.throwIfAborted();
    return new Promise<Uint8Array>((resolve, reject) => {
      const onAbort = (): void => {
        worker.forget(id);
        reject(signal?.reason);
        // A run cannot be interrupted inside WebAssembly: stop the whole worker.
        // Its 'exit' fails the worker's other requests; a failure to terminate has no one to tell.
        worker.terminate().catch(() => undefined);
      };
      const id = worker.request(text, voice, {
        resolve(wav) {
          signal?.removeEventListener('abort', onAbort);
          resolve(wav);
        },
        reject(error) {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
