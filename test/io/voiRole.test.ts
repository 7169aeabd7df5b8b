/** VOI roles from names (unit test): "mets"/"met" after an underscore or at the start are tumours. */
import { describe, expect, it } from "vitest";
import { voiRole } from "../../src/io/voiRole.js";
import { tissueOfVoiName } from "../../src/dose/radiobiology.js";

describe("voiRole", () => {
  it("reads tumour names clinics use, including Liver_mets and Met_2, and not words that merely contain 'met'", () => {
    for (const n of ["tumour_1", "Tumor", "GTV_2", "lesion 3", "HCC", "metastasis", "Liver_mets", "Met_2", "mets", "liver met"]) {
      expect(voiRole(n), n).toBe("tumour");
      expect(tissueOfVoiName(n), n).toBe("tumour");
    }
    for (const n of ["Liver", "liver_whole"]) expect(voiRole(n), n).toBe("normal");
    for (const n of ["Lungs", "Lung_L"]) expect(voiRole(n), n).toBe("lung");
    for (const n of ["BODY", "Metal_artifact", "Gometry"]) expect(voiRole(n), n).toBe("other");
  });
});
