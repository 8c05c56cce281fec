import { EsdbEventStore } from '../../src/store/esdb';
import { isEsdbUrl } from '../../src/store/open';
import { testCodec } from '../support/test-codec';
import { storeContract } from './contract';

/**
 * Runs the same contract against EventStoreDB when a server URL is given, e.g.
 *   docker run -d --name esdb -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=All
 *   SAMKOST_TEST_ESDB='esdb://localhost:2113?tls=false' npm test
 * This machine has no Docker engine, so without the URL the suite reports itself skipped, with the reason.
 */
const url = [process.env.SAMKOST_TEST_ESDB, process.env.SAMKOST_STORE].find((u) => u && isEsdbUrl(u));
const REASON = 'SKIPPED: no EventStoreDB server (set SAMKOST_TEST_ESDB=esdb://localhost:2113?tls=false; see README)';

if (url) {
  describe(`event store contract: EventStoreDB at ${url}`, () => {
    storeContract(async () => new EsdbEventStore(url, testCodec));
  });
} else {
  // Jest prints nothing for a suite whose every test is skipped, so say why on the output as well.
  process.stderr.write(`\nevent store contract: EventStoreDB ${REASON}\n`);
  describe(`event store contract: EventStoreDB — ${REASON}`, () => {
    test.skip(REASON, () => undefined);
  });
}
