/** Test fixtures: write a naturalized DICOM dataset (dcmjs) as a Part 10 file. */
import { writeFile } from "node:fs/promises";
import dcmjs from "dcmjs";

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

/** Write `ds` (naturalized, with SOPClassUID and SOPInstanceUID) to `path` with a file meta header. */
export async function writeDicomFile(path: string, ds: Record<string, unknown>, transferSyntaxUID = "1.2.840.10008.1.2.1"): Promise<void> {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: ds.SOPClassUID,
    MediaStorageSOPInstanceUID: ds.SOPInstanceUID, TransferSyntaxUID: transferSyntaxUID, ImplementationClassUID: "2.25.1",
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(ds);
  await writeFile(path, new Uint8Array(dict.write()));
}
