/** Random numbers: keyed streams and exact deviates. */
export { createStream, RandomStream } from "./stream.js";
export { binomial } from "./binomial.js";
export { gamma } from "./gamma.js";
export { beta } from "./beta.js";
export { normalCdf, normalQuantile } from "./normal.js";
export { truncatedNormal, truncatedNormalCdf, type TruncatedNormalParameters } from "./truncatedNormal.js";
