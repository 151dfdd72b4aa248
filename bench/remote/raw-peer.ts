/**
 * The peer of the remoting benchmarks' baselines: a bare `node:net` server on a free loopback
 * port, no actor runtime, speaking the frames of `raw-frames.ts`. Its mode comes in
 * `BENCH_RAW_MODE`:
 *
 *   count   counts message frames after an "expect n" control frame; answers "counted n" when done
 *   codec   the same, decoding every frame as a protobufjs `MessageEnvelope` first
 *   echo    writes every whole frame straight back, all frames of one read in one write
 *
 * Started by `RawLink`; not to be imported.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { EnvelopeDecoder } from './envelope-codec.ts';
import { servePeer } from './peer-process.ts';
import { CONTROL_BYTES, FrameReader, FrameWriter, PAYLOAD_BYTES } from './raw-frames.ts';

const mode = process.env['BENCH_RAW_MODE'] ?? 'count';

/** Counts (and in `codec` mode decodes) message frames, and reports the count when complete. */
function counter(socket: Socket, decode: boolean): void {
  const writer = new FrameWriter(socket);
  const decoder = new EnvelopeDecoder();
  let count = 0;
  let expect = -1;
  const reader = new FrameReader((buffer, start, length) => {
    if (length === CONTROL_BYTES) {
      expect = buffer.readUInt32BE(start);
      count = 0;
      return;
    }
    if (decode && decoder.decode(buffer, start, length) !== PAYLOAD_BYTES) return;
    if (++count === expect) {
      writer.control(count);
      writer.flush();
    }
  });
  socket.on('data', (chunk: Buffer) => reader.push(chunk));
}

/** Echoes whole frames; a partial one waits for the rest. */
function echo(socket: Socket): void {
  const reader = new FrameReader(() => {});
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    if (reader.lastEnd > 0) socket.write(reader.lastBuffer.subarray(0, reader.lastEnd));
  });
}

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  if (mode === 'echo') echo(socket);
  else counter(socket, mode === 'codec');
});
server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address() as AddressInfo;
  servePeer(`${address}:${port}`);
});
