package io.propensitykit.data;

/**
 * The public propensity datasets the kit reads, with their published checksums and where they
 * come from. The files are never part of the project: {@code datasets/download.sh} fetches them.
 */
public enum PublicDataset {
    /** MineThatData E-Mail Analytics challenge: 64,000 customers randomized into thirds. */
    HILLSTROM("hillstrom.csv", "0e5893329d8b93cefecc571777672028290ab69865718020c78c7284f291aece", 64_000,
            "the MineThatData E-Mail Analytics challenge (Kevin Hillstrom, 2008), minethatdata.com"),
    /** UCI Online Shoppers Purchasing Intention: 12,330 sessions, target Revenue. */
    ONLINE_SHOPPERS("online_shoppers_intention.csv",
            "9cda002173422ffbd455fbedcb378cd8b7cea1e6b727faaa39aec08d087d8120", 12_330,
            "the UCI Machine Learning Repository, dataset 468 (Sakar et al. 2019), CC BY 4.0"),
    /** NSW job-training experiment, treated men (Dehejia and Wahba 1999 sample). */
    NSW_TREATED("lalonde/nswre74_treated.txt", "b4710095ca8aec7c870cb7da869f7333c8f8aa99dfefdcb4ddfed0a8476de6d8",
            185, "Rajeev Dehejia's NSW data page at NBER (LaLonde 1986; Dehejia and Wahba 1999)"),
    /** NSW experimental controls. */
    NSW_CONTROL("lalonde/nswre74_control.txt", "f07369a54720d45777256f38c55385c8e650a60c542a5710d068e3a8bcabe957",
            260, "Rajeev Dehejia's NSW data page at NBER (LaLonde 1986; Dehejia and Wahba 1999)"),
    /** PSID-1 non-experimental comparison group. */
    PSID_CONTROLS("lalonde/psid_controls.txt", "c8238fce4b1d50d1f2a9410f20cd35c0ed9a47c694a4cdb023dad52dcae27cb8",
            2_490, "Rajeev Dehejia's NSW data page at NBER (LaLonde 1986; Dehejia and Wahba 1999)"),
    /** CPS-1 non-experimental comparison group. */
    CPS_CONTROLS("lalonde/cps_controls.txt", "f591b387ed3eb4036d9b524a8d5d909446c748ac49e0cc55024089adc5902947",
            15_992, "Rajeev Dehejia's NSW data page at NBER (LaLonde 1986; Dehejia and Wahba 1999)");

    private final String file;
    private final String sha256;
    private final long rows;
    private final String source;

    PublicDataset(String file, String sha256, long rows, String source) {
        this.file = file;
        this.sha256 = sha256;
        this.rows = rows;
        this.source = source;
    }

    /** @return the file's path inside the datasets directory */
    public String file() {
        return file;
    }

    /** @return the published file's sha256 */
    public String sha256() {
        return sha256;
    }

    /** @return the number of data rows in the published file */
    public long rows() {
        return rows;
    }

    /** @return who publishes the file */
    public String source() {
        return source;
    }
}
