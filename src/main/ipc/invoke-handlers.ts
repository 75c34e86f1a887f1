// Serves an API's requests over ipcMain.handle, one channel per method, and
// refuses, before the implementation sees them, calls from a sender that is
// not the app's page and calls whose arguments do not match the method's
// schema (the renderer's promise rejects with the reason).
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { z } from 'zod';
import type { InvokeMethod } from '../../shared/desktop-api.ts';
import type { Log } from '../log.ts';

type ArgumentsOf<F> = F extends (...args: infer A) => unknown ? A : never;

/** One schema per request method, for the method's argument list. */
export type ArgumentSchemas<Api> = { [M in InvokeMethod<Api>]: z.ZodType<ArgumentsOf<Api[M]>> };

export function handleInvokes<Api>(
  ipcMain: Pick<IpcMain, 'handle'>,
  options: {
    channelOf: (method: InvokeMethod<Api>) => string;
    schemas: ArgumentSchemas<Api>;
    implementation: Pick<Api, InvokeMethod<Api>>;
    isTrustedSender: (event: IpcMainInvokeEvent) => boolean;
    log: Log;
  },
): void {
  const { channelOf, schemas, implementation, isTrustedSender, log } = options;
  for (const method of Object.keys(schemas) as Array<InvokeMethod<Api>>) {
    const channel = channelOf(method);
    const schema: z.ZodType<unknown[]> = schemas[method];
    const handler = implementation[method] as (...args: unknown[]) => unknown;
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        log.warn(`ipc: refused ${channel} from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
        throw new Error(`${channel} refused: the sender is not the app's page`);
      }
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        const reason = z.prettifyError(parsed.error);
        log.warn(`ipc: invalid arguments to ${channel}: ${reason}`);
        throw new Error(`${channel}: invalid arguments: ${reason}`);
      }
      return handler.apply(implementation, parsed.data);
    });
  }
}
