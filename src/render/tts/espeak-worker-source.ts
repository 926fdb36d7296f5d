/**
 * The code of the worker thread that runs eSpeak NG (compiled to WebAssembly by the `text2wav`
 * package). It is given as source text so the same file works from TypeScript sources and from the
 * build. The text goes through the WebAssembly file system (`-f`), never as an argument, so text that
 * looks like an option is spoken, not obeyed. One request runs at a time; the listeners Emscripten
 * adds to `process` on each run are removed afterwards, so a long-lived worker does not leak.
 *
 * The WAV is written to a device of ours, not to a file of Emscripten's in-memory file system: that
 * file system turns a file that grows past its first write into a plain JS array and appends to it
 * byte by byte, which took a quarter of each sentence's CPU time. The device keeps the bytes in a
 * buffer that doubles, and seeks like a file (eSpeak goes back to write the sizes into the header),
 * so the WAV is the same to the byte.
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

const WAV_PATH = '/tmp/speech.wav';
const WAV_DEVICE_MAJOR = 99;

/** A seekable, growable file held in one buffer: the device eSpeak writes its WAV to. */
function growableFile() {
  let data = new Uint8Array(1 << 16);
  let size = 0;
  const ops = {
    open() {},
    close() {},
    read(stream, buffer, offset, length, position) {
      const count = Math.max(0, Math.min(length, size - position));
      buffer.set(data.subarray(position, position + count), offset);
      return count;
    },
    write(stream, buffer, offset, length, position) {
      const end = position + length;
      if (end > data.length) {
        let capacity = data.length;
        while (capacity < end) capacity *= 2;
        const grown = new Uint8Array(capacity);
        grown.set(data.subarray(0, size));
        data = grown;
      }
      data.set(buffer.subarray(offset, offset + length), position);
      size = Math.max(size, end);
      return length;
    },
    llseek(stream, offset, whence) {
      const base = whence === 1 ? stream.position : whence === 2 ? size : 0;
      const position = base + offset;
      if (position < 0) throw new Error('seek before the start of the WAV');
      return position;
    },
  };
  return { ops, bytes: () => data.slice(0, size) };
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
  const output = growableFile();
  const Module = {
    arguments: ['-v', request.voice, '-w', WAV_PATH, '-f', '/tmp/text.txt'],
    print: (line) => messages.push(String(line)),
    printErr: (line) => messages.push(String(line)),
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(wasmModule, imports).then(receive, fail);
      return {};
    },
    preRun: [
      () => {
        Module.FS.writeFile('/tmp/text.txt', request.text);
        const device = Module.FS.makedev(WAV_DEVICE_MAJOR, 0);
        Module.FS.registerDevice(device, output.ops);
        Module.FS.mkdev(WAV_PATH, device);
      },
    ],
    postRun: [
      () => {
        const wav = output.bytes();
        if (wav.length === 0) {
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
