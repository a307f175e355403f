import { SimulationClient } from './simulation-client';

/*
 * The page's entry: starts the simulation worker first, so its script loads and compiles on its
 * own thread while the rest of the page (the form, the views, the chart library, the styles) loads
 * and builds. (A stylesheet linked from the HTML would hold this script back until it loaded.)
 */
performance.mark('llm-sim:page-start');
const client = new SimulationClient();
const { startPlayground } = await import('./playground-app');
startPlayground(client);
