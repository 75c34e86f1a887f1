// The desktop app's renderer entry (index.html loads it): the preload has
// exposed window.duplex by the time this runs.
import { mountApp } from './mountApp.tsx';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
mountApp(root);
