import { createHash } from 'node:crypto';

/** An offload task: its default export runs on a pool thread. Stretches a SHA-256 a few times. */
export default function hash(text: string): string {
  let digest = text;
  for (let i = 0; i < 1_000; i++) digest = createHash('sha256').update(digest).digest('hex');
  return digest.slice(0, 16);
}
