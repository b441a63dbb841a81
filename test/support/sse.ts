// A small SSE reader for tests: frames ("...\n\n"-terminated blocks) from a
// streaming Response, with a timeout per frame.
export interface SseClient {
  response: Response;
  /** The next frame's text without its trailing blank line; throws after timeoutMs. */
  next(timeoutMs?: number): Promise<string>;
  /** Parsed JSON of the next frame with data, skipping comment-only frames. */
  nextEvent(timeoutMs?: number): Promise<any>;
  /** Resolves true when the server ended the stream within timeoutMs. */
  ended(timeoutMs?: number): Promise<boolean>;
  close(): void;
}

export function readSse(response: Response, abort?: AbortController): SseClient {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const frames: string[] = [];
  let buffer = "";
  let done = false;
  const waker: { wake: (() => void) | null } = { wake: null };

  (async () => {
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buffer += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = buffer.indexOf("\n\n")) >= 0) {
          frames.push(buffer.slice(0, i));
          buffer = buffer.slice(i + 2);
        }
        waker.wake?.();
      }
    } catch {
      /* aborted */
    }
    done = true;
    waker.wake?.();
  })();

  const waitFor = async (timeoutMs: number, ready: () => boolean): Promise<boolean> => {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waker.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      waker.wake = null;
    }
    return true;
  };

  const client: SseClient = {
    response,
    async next(timeoutMs = 2000) {
      if (!(await waitFor(timeoutMs, () => frames.length > 0 || done)) || frames.length === 0) {
        throw new Error(done ? "stream ended" : `no frame within ${timeoutMs} ms`);
      }
      return frames.shift()!;
    },
    async nextEvent(timeoutMs = 2000) {
      for (;;) {
        const frame = await client.next(timeoutMs);
        // optional `event:` line, comments ignored, `data:` lines joined (SSE rules)
        const data = frame
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).trimStart());
        if (data.length === 0) {
          if (frame.split("\n").every((line) => line.startsWith(":") || line.startsWith("event:"))) continue;
          throw new Error(`unexpected frame ${JSON.stringify(frame)}`);
        }
        return JSON.parse(data.join("\n"));
      }
    },
    async ended(timeoutMs = 2000) {
      return waitFor(timeoutMs, () => done);
    },
    close() {
      abort?.abort();
      reader.cancel().catch(() => {});
    },
  };
  return client;
}
