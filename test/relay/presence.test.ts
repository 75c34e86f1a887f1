// The in-process Presence against the Presence contract.
import { createLogger } from '../../relay/log.ts';
import { InProcessPresence } from '../../relay/presence.ts';
import { runPresenceContract } from './presence-contract.ts';

runPresenceContract('in process', (store, fanout, graceMs) => new InProcessPresence(store, fanout, graceMs, createLogger('silent')));
