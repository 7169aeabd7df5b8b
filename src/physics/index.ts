export * from "./units.js";
export * from "./nuclides.js";
export * from "./doseCoefficient.js";
export * from "./decay.js";
export * from "./products.js";
