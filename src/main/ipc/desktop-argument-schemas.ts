// The argument lists each DesktopApi request accepts, one zod tuple per
// method (a tuple also refuses extra arguments). DuplexApi's are in its method
// table, src/shared/api-methods.ts, which the web client uses too; these are
// the desktop app's alone.
import { z } from 'zod';
import type { ArgumentSchemas } from '../../shared/api-methods.ts';
import type { DesktopApi } from '../../shared/desktop-api.ts';
import { fileIdSchema, idSchema } from '../../shared/protocol/index.ts';
import { settingsPatchSchema } from '../settings/settings-schema.ts';

const none = z.tuple([]);

export const desktopArgumentSchemas = {
  getInfo: none,
  getSettings: none,
  updateSettings: z.tuple([settingsPatchSchema]),
  setOpenConversation: z.tuple([idSchema.nullable()]),
  getUpdateStatus: none,
  checkForUpdates: none,
  downloadUpdate: none,
  restartToUpdate: none,
  // The renderer names a file by relay id and offers a name; where it is
  // written is the user's choice in the native dialog, never the page's.
  saveFile: z.tuple([fileIdSchema, z.string().min(1).max(1024)]),
  saveMyData: z.tuple([z.string().min(1).max(1024)]),
} satisfies ArgumentSchemas<DesktopApi>;
