import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  subject: string;
  raw: string;
  /** The body as it was written: quoted-printable (which folds lines longer than 76 characters) undone. */
  text: string;
}

/**
 * A real SMTP server in this process that keeps what it receives, for tests of outgoing email.
 * `refuseNext(n)` answers the next n messages with a temporary failure, to exercise retries.
 */
export class Mailbox {
  readonly received: Mail[] = [];
  private refusals = 0;

  private constructor(private readonly server: SMTPServer, readonly url: string) {}

  static async open(): Promise<Mailbox> {
    let box: Mailbox | undefined;
    const server = new SMTPServer({
      authOptional: true,
      // No TLS certificate here: without this, nodemailer would try to upgrade and fail.
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => callback(box!.accept(session.envelope.rcptTo.map((r) => r.address), Buffer.concat(chunks).toString('utf8'))));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    box = new Mailbox(server, `smtp://127.0.0.1:${port}`);
    return box;
  }

  refuseNext(count: number): void {
    this.refusals = count;
  }

  /** Mails sent to one address. */
  to(address: string): Mail[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(to: string[], raw: string): Error | null {
    if (this.refusals > 0) {
      this.refusals--;
      return Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 });
    }
    // Long headers are folded onto several lines; unfold them before reading the subject.
    const [head, ...body] = raw.split(/\r?\n\r?\n/);
    const headers = head.replace(/\r?\n[ \t]+/g, ' ');
    const subject = /^Subject: (.*)$/m.exec(headers)?.[1]?.trim() ?? '';
    const encoded = body.join('\n\n');
    const text = /^Content-Transfer-Encoding: quoted-printable$/im.test(headers) ? fromQuotedPrintable(encoded) : encoded;
    this.received.push({ to, subject, raw, text });
    return null;
  }
}

function fromQuotedPrintable(body: string): string {
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
