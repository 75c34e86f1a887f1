// Serves an API's requests over ipcMain.handle, one channel per method, and
// refuses, before the implementation sees them, calls from a sender that is
// not the app's page and calls whose arguments do not match the method's
// schema (the renderer's promise rejects with the reason).
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { type ArgumentSchemas, InvalidArgumentsError, parseArguments } from '../../shared/api-methods.ts';
import type { InvokeMethod } from '../../shared/desktop-api.ts';
import type { Log } from '../log.ts';

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
    const handler = implementation[method] as (...args: unknown[]) => unknown;
    ipcMain.handle(channel, (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) {
        log.warn(`ipc: refused ${channel} from ${event.senderFrame?.url ?? 'a frame that is gone'}`);
        throw new Error(`${channel} refused: the sender is not the app's page`);
      }
      let parsed: unknown[];
      try {
        parsed = parseArguments(schemas, method, args);
      } catch (error) {
        const reason = error instanceof InvalidArgumentsError ? error.reason : String(error);
        log.warn(`ipc: invalid arguments to ${channel}: ${reason}`);
        throw new Error(`${channel}: invalid arguments: ${reason}`, { cause: error });
      }
      return handler.apply(implementation, parsed);
    });
  }
}
