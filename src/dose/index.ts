/** The absorbed-dose stage: kernels, convolution, local deposition, activity grids, DVH, metrics. */
export * from "./kernel.js";
export * from "./svalues.js";
export * from "./fft3d.js";
export * from "./convolve.js";
export * from "./directSum.js";
export * from "./localDeposition.js";
export * from "./activity.js";
export * from "./timeIntegration.js";
export * from "./dvh.js";
export * from "./metrics.js";
export { checkNtcpParameters, checkTcpParameters, gamma50FromPoints, generalisedEudOfBedGy, lkbNtcpOfEud, logisticTcp, NTCP_DEFAULTS, TCP_DEFAULTS, type NtcpParameters, type TcpParameters } from "./outcome.js";
export * from "./radiobiology.js";
export * from "./microdosimetry.js";
export * from "./config.js";
export { Y90_DPK_SHELL_ENERGY_MEV, Y90_DPK_SHELL_MM } from "./y90Dpk.js";
