// `duplex-relay registration open|close|status`. The choice is stored in the
// database, where a running relay reads it on every registration request and
// where it outlives restarts; the configured --registration applies only while
// nothing is stored (registration.ts).
import { type RegistrationMode, relayOptions } from '../config.ts';
import { registrationPolicy } from '../registration.ts';
import { type Command, DATABASE_OPTIONS, withOperatorStore } from './command.ts';

function setRegistration(verb: 'open' | 'close', mode: RegistrationMode): Command {
  return {
    name: `registration ${verb}`,
    args: [],
    summary: verb === 'open' ? 'let anyone create an account' : 'refuse new accounts (user create still works)',
    details: 'Stored in the database: a running relay applies it to the next registration, and it outlives restarts.',
    options: DATABASE_OPTIONS,
    async run({ io, config }) {
      return withOperatorStore(config, async (store) => {
        await store.setRegistration(mode, Date.now());
        io.out(`registration ${mode}`);
        return 0;
      });
    },
  };
}

export const registrationOpen = setRegistration('open', 'open');
export const registrationClose = setRegistration('close', 'closed');

export const registrationStatus: Command = {
  name: 'registration status',
  args: [],
  summary: 'say whether registration is open, and why',
  details:
    'Prints "open" or "closed" first. Without a stored choice, the mode is the configured one as this\n' +
    'command sees it (--registration, DUPLEX_REGISTRATION or the config file), which should be the relay\'s.',
  options: [...relayOptions('registration'), ...DATABASE_OPTIONS],
  async run({ io, config }) {
    return withOperatorStore(config, async (store) => {
      const { mode, stored } = await registrationPolicy(store, config.registration);
      io.out(
        stored
          ? `${mode} (stored ${new Date(stored.setAt).toISOString()}; overrides the configured ${config.registration})`
          : `${mode} (configured; nothing stored)`,
      );
      return 0;
    });
  },
};
