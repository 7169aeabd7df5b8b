/**
 * `sirtsim export-rtdose DOSE.nii.gz --reference CT --out rtdose.dcm [--json]`
 *
 * A dose map in Gy (e.g. `simulate`'s dose.nii.gz on a patient case written by `plan-images
 * --write-case`) as a DICOM RT Dose on the patient's frame of reference: patient, study and
 * FrameOfReferenceUID from the reference series (the CT the case's mask came from), geometry from
 * the NIfTI (its world coordinates are the CT's when the mask was written from it). The dose must
 * overlap the reference image (else exit 2): a NIfTI has no frame-of-reference UID to compare.
 * `--out` follows the output rules of the other commands (src/io/atomic.ts openOutputFile): an
 * empty path, a folder, an input or an existing file is refused (exit 2) before any work.
 */
import type { Command } from "commander";
import { basename } from "node:path";
import { InputError } from "../../errors.js";
import { readImageInput } from "../../io/imageInput.js";
import { readNifti } from "../../io/nifti.js";
import { resampleGrid } from "../../io/resample.js";
import { encodeRtDose } from "../../io/rtdose.js";
import { openOutputFile } from "../../io/atomic.js";
import { action } from "../run.js";
import { printJson, printText } from "../output.js";

export function registerExportRtDose(program: Command): void {
  program
    .command("export-rtdose")
    .description("write a NIfTI dose (Gy) as DICOM RT Dose on a reference series' frame of reference")
    .argument("<dose>", "dose in Gy, NIfTI (.nii or .nii.gz)")
    .requiredOption("--reference <series>", "DICOM folder or file of the image the dose is registered to (the CT)")
    .requiredOption("--out <file>", "RT Dose file to write")
    .option("--json", "print one JSON document on stdout")
    .action(
      action(async (dosePath: string, options: { reference: string; out: string; json?: boolean }) => {
        // --out first, before any work: not empty, not a folder, not an input, not an existing file (src/io/atomic.ts).
        const out = openOutputFile(options.out, "--out", [dosePath, options.reference]);
        const dose = await readNifti(dosePath, { kind: "activity" });
        const reference = await readImageInput(options.reference, { field: "--reference" });
        if (!reference.reference) throw new InputError("--reference", `--reference: ${options.reference} is not a DICOM series`);
        // The overlap check: resampling onto the reference throws naming both extents when none.
        resampleGrid(dose, reference.grid, { method: "nearest", name: dosePath });
        let negative = 0;
        for (let n = 0; n < dose.data.length; n++) {
          if (dose.data[n] < 0) {
            negative++;
            dose.data[n] = 0;
          }
        }
        await out.write(encodeRtDose(dose, basename(out.path), { reference: reference.reference, seriesDescription: `sirtsim dose from ${dosePath}`.slice(0, 64) }));
        const summary = { dose: dosePath, reference: options.reference, frameOfReferenceUID: reference.reference.frameOfReferenceUID, dims: [...dose.dims], negativeVoxelsClipped: negative, out: options.out };
        if (options.json) printJson(summary);
        else printText(`wrote ${options.out} on frame of reference ${summary.frameOfReferenceUID}${negative ? ` (${negative} negative voxels set to 0)` : ""}`, false);
      }),
    );
}
