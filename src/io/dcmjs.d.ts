/**
 * Minimal typing of the parts of dcmjs 0.51 that src/io uses (dcmjs ships no types). Datasets are
 * "naturalized" plain objects keyed by DICOM keyword (e.g. `PixelSpacing`).
 */
declare module "dcmjs" {
  type Dataset = Record<string, any>;
  interface DicomDictInstance {
    meta: Dataset;
    dict: Dataset;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Dataset) => DicomDictInstance;
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DicomDictInstance };
      DicomMetaDictionary: {
        naturalizeDataset(dict: Dataset): Dataset;
        denaturalizeDataset(dataset: Dataset): Dataset;
        uid(): string;
      };
    };
    log: { setLevel?(level: string): void; level?: unknown; [key: string]: any };
  };
  export default dcmjs;
}
