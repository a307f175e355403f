import { DEFAULT_CONFIG, readFragment } from './config-fragment';
import { SimulationClient } from './simulation-client';

/*
 * The page's entry: starts the simulation worker first and hands it the link's config at once, so
 * the worker loads, compiles and runs it on its own thread while the page's code and styles load
 * and the results panel is built (the rest of the page follows the first result: see
 * startPlayground). (A stylesheet linked from the HTML would hold this script back until it loaded.)
 */
performance.mark('llm-sim:page-start');
const fragment = readFragment(location.hash);
const client = new SimulationClient(
  fragment.kind === 'invalid' ? undefined : fragment.kind === 'config' ? fragment.config : DEFAULT_CONFIG,
);
const { startPlayground } = await import('./playground-app');
startPlayground(client, client.firstRun);
