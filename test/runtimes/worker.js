// Entry for workerd: a request to `/?origin=ORIGIN` runs the scenarios against that server and answers with
// the results as JSON, once every call has settled.

import * as lib from '../../dist/index.js';
import { runScenarios } from './scenarios.js';

export default {
  async fetch(request) {
    const origin = new URL(request.url).searchParams.get('origin');
    return Response.json(await runScenarios(lib, origin));
  },
};
