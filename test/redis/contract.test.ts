// RedisStore through the RouterStore contract every store runs
// (test/adapters/contract.ts), on a real redis-server: each store its own key
// prefix. Routing here is the synchronous route(), one instance, so the copy
// is the truth and every write goes to Redis as it is made. The restart tests
// are not run: a new RedisStore learns Redis's counts when a unit reads them
// (test/redis/redis-store.test.ts, "a new instance starts from the counts").

import { afterAll, describe } from 'vitest';
import { MemoryStore } from '../../src/adapters/index.js';
import { RedisStore } from '../../src/adapters/redis-store.js';
import { storeContract } from '../adapters/contract.js';
import { redisSkipReason, skipNote, startRedis, type RunningRedis } from '../helpers/redis.js';

// The contract asks its stores for one while it declares its tests, so Redis
// is started before, as the file loads.
const redis: RunningRedis | null = redisSkipReason === null ? await startRedis() : null;
let stores = 0;

describe.skipIf(redis === null)(`RedisStore on a real redis-server ${skipNote()}`, () => {
  afterAll(async () => {
    await redis?.stop();
  });
  storeContract('RedisStore', () => RedisStore.open(redis!.url, { local: new MemoryStore(), prefix: `contract${++stores}:` }));
});
