/**
 * The code of the worker thread that runs eSpeak NG (compiled to WebAssembly by the `text2wav`
 * package). It is given as source text so the same file works from TypeScript sources and from the
 * build. The text goes through the WebAssembly file system (`-f`), never as an argument, so text that
 * looks like an option is spoken, not obeyed. One request runs at a time; the listeners Emscripten
 * adds to `process` on each run are removed afterwards, so a long-lived worker does not leak.
 */
export const ESPEAK_WORKER_SOURCE = String.raw`
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const createEspeak = require(workerData.factoryPath);
const wasmModule = workerData.wasmModule;
const queue = [];
let busy = false;

function listenerSnapshot() {
  return {
    uncaughtException: process.listeners('uncaughtException'),
    unhandledRejection: process.listeners('unhandledRejection'),
  };
}

function restoreListeners(before) {
  for (const event of Object.keys(before)) {
    for (const listener of process.listeners(event)) {
      if (!before[event].includes(listener)) process.removeListener(event, listener);
    }
  }
}

function speak(request, finish) {
  const messages = [];
  let settled = false;
  const settle = (result) => {
    if (settled) return;
    settled = true;
    finish(result);
  };
  const fail = (reason) => settle({ id: request.id, error: [String(reason), ...messages].join('\n').trim() });
  const Module = {
    arguments: ['-v', request.voice, '-w', '/tmp/speech.wav', '-f', '/tmp/text.txt'],
    print: (line) => messages.push(String(line)),
    printErr: (line) => messages.push(String(line)),
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(wasmModule, imports).then(receive, fail);
      return {};
    },
    preRun: [() => Module.FS.writeFile('/tmp/text.txt', request.text)],
    postRun: [
      () => {
        let wav;
        try {
          wav = Module.FS.readFile('/tmp/speech.wav');
        } catch {
          fail('eSpeak NG wrote no audio');
          return;
        }
        settle({ id: request.id, wav });
      },
    ],
    onAbort: (what) => fail('eSpeak NG aborted: ' + what),
    quit: (status, toThrow) => {
      fail('eSpeak NG exited with status ' + status);
      throw toThrow;
    },
  };
  try {
    createEspeak(Module);
  } catch (error) {
    fail(error);
  }
}

function next() {
  if (busy) return;
  const request = queue.shift();
  if (!request) return;
  busy = true;
  const before = listenerSnapshot();
  speak(request, (result) => {
    restoreListeners(before);
    busy = false;
    if (result.wav) {
      const wav = new Uint8Array(result.wav);
      parentPort.postMessage({ id: result.id, wav }, [wav.buffer]);
    } else {
      parentPort.postMessage(result);
    }
    setImmediate(next);
  });
}

parentPort.on('message', (request) => {
  queue.push(request);
  next();
});
`;
