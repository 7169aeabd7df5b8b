/** Geometry: grids, analytic shapes, the liver + tumour domain, integration and rasterisation. */
export * from "./grid.js";
export * from "./shapes.js";
export * from "./domain.js";
export * from "./build.js";
export * from "./integrate.js";
export * from "./rasterize.js";
