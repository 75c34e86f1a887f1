// The in-process Fanout against the Fanout contract.
import { InProcessFanout } from '../../relay/fanout.ts';
import { runFanoutContract } from './fanout-contract.ts';

runFanoutContract('in process', async () => {
  const fanout = new InProcessFanout();
  return { publisher: fanout, subscriber: fanout, dispose: () => fanout.close() };
});
