// Mock lead buyers for demos, tests and benchmarks: real HTTP servers on
// 127.0.0.1 that answer pings with bids, accept or reject posts, count pixels,
// and misbehave (slow, 500, hang, garbage, reset) as configured.

export {
  startMockBuyers,
  MockBuyersError,
  MOCK_HOST,
  type MockBuyers,
  type MockBuyerAddress,
  type MockBuyersStats,
  type MockBuyerStats,
  type LatencySummary,
  type RecordedRequest,
  type MockOutcome,
  type Endpoint,
} from './mock-buyers.js';
export {
  validateMockConfig,
  parseMockConfig,
  withEphemeralPorts,
  MockConfigError,
  MOCK_BUYERS_SCHEMA,
  mockConfigKeys,
  type MockBuyersConfig,
  type MockBuyerConfig,
  type MockBidConfig,
  type MockPostConfig,
  type FaultRates,
  type MockRequireHeader,
} from './config.js';
export { describeBuyer, describePings, describePosts, describeAnswers } from './describe.js';
export {
  renderAnswer,
  resolvePingAnswer,
  resolvePostAnswer,
  PING_ANSWER_DEFAULTS,
  POST_ANSWER_DEFAULTS,
  type AnswerFormat,
  type StatusWord,
  type MockPingAnswer,
  type MockPostAnswer,
} from './answers.js';
export { Rng, sample, meanOf, describeDistribution, hash53, type Distribution } from './distributions.js';
