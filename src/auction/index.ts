// Ping-post selling: the Seller (route, auction, post, deliver), and the parts
// a checker, a server or a bench may want on their own.
export { Seller } from './seller.js';
export type { Sale, SellerOptions, SellOptions } from './seller.js';
export { runAuction } from './auction.js';
export type { AuctionDeps, AuctionInput, AuctionResult, AuctionSale } from './auction.js';
export { readBid, DEFAULT_MAX_BID } from './bids.js';
export type { BidReading, ParsedBid } from './bids.js';
export { buildPing, PingBuilder, publicLead, zipFieldOf, DEFAULT_PING_TIMEOUT_MS, DEFAULT_AUCTION_TIMEOUT_MS } from './ping.js';
export { piiViolation, piiNeedles, PiiGuard, PingUrls, MIN_SEARCHED_LENGTH } from './pii.js';
export type { PiiVerdict } from './pii.js';
export { scoreBid, BuyerStats } from './rank.js';
export { planOf } from './types.js';
export type {
  AuctionSpec,
  AuctionRecord,
  BidRecord,
  BidFate,
  PingOutcome,
  RoutedDecision,
  SellerRouter,
  OutcomeKind,
  SoldToAt,
  RouteCall,
} from './types.js';
