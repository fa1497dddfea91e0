// A server-sent events parser (the HTML standard's "event stream
// interpretation"), fed with text as it arrives: lines end with \n, \r\n or
// \r, a \r\n may be split between two chunks, and a blank line dispatches.

export interface ServerSentEvent {
  /** `message` when the event named none. */
  event: string;
  data: string;
  /** The last `id:` seen so far (it carries over to later events), or undefined. */
  id: string | undefined;
}

export interface SseHandlers {
  onEvent(event: ServerSentEvent): void;
  /** A valid `retry:` field: the reconnection delay the server asks for, in ms. */
  onRetry?(ms: number): void;
}

export class SseParser {
  private buffer = '';
  private sawCarriageReturn = false; // the last chunk ended in \r: a leading \n of the next one is its pair
  private started = false;
  private eventName = '';
  private dataLines: string[] = [];
  private lastEventId: string | undefined;

  constructor(private readonly handlers: SseHandlers) {}

  /** Feeds decoded text; complete lines are processed at once. */
  push(text: string): void {
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.sawCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.sawCarriageReturn = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.line(this.buffer.slice(start, i));
      if (c === 13) {
        if (i + 1 === this.buffer.length) this.sawCarriageReturn = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return; // a comment: the heartbeat
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.dataLines.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^[0-9]+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(): void {
    const hasData = this.dataLines.length > 0;
    const event = { event: this.eventName || 'message', data: this.dataLines.join('\n'), id: this.lastEventId };
    this.eventName = '';
    this.dataLines = [];
    if (hasData) this.handlers.onEvent(event);
  }
}
