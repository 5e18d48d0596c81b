import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string[];
  subject: string;
  raw: string;
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
    const headers = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
    const subject = /^Subject: (.*)$/m.exec(headers)?.[1]?.trim() ?? '';
    this.received.push({ to, subject, raw });
    return null;
  }
}
