package org.jbits.windows;

import com.sun.jna.platform.win32.Guid.CLSID;
import com.sun.jna.platform.win32.Guid.IID;
import java.util.List;

/**
 * The interface and class GUIDs of BITS (reference §2.1; W-IDL1..50, META). Each constant is built from the string
 * next to it; {@code BitsGuidsTest} checks both against the reference table. Internal to the binding: the
 * constants say {@code public} only so that the test can list them with {@link Class#getFields()}.
 */
final class BitsGuids {
    private BitsGuids() {
    }

    /** IUnknown, for the callback's QueryInterface. */
    public static final IID IID_IUnknown = new IID("{00000000-0000-0000-C000-000000000046}");

    public static final IID IID_IBackgroundCopyManager = new IID("{5ce34c0d-0dc9-4c1f-897c-daa1b78cee7c}");
    public static final IID IID_IBackgroundCopyJob = new IID("{37668d37-507e-4160-9316-26306d150b12}");
    public static final IID IID_IBackgroundCopyJob2 = new IID("{54b50739-686f-45eb-9dff-d6a9a0faa9af}");
    public static final IID IID_IBackgroundCopyJob3 = new IID("{443c8934-90ff-48ed-bcde-26f5c7450042}");
    public static final IID IID_IBackgroundCopyJob4 = new IID("{659cdeae-489e-11d9-a9cd-000d56965251}");
    public static final IID IID_IBackgroundCopyJob5 = new IID("{e847030c-bbba-4657-af6d-484aa42bf1fe}");
    public static final IID IID_IBackgroundCopyFile = new IID("{01b7bd23-fb88-4a77-8490-5891d3e4653a}");
    public static final IID IID_IBackgroundCopyFile2 = new IID("{83e81b93-0873-474d-8a8c-f2018b1a939c}");
    public static final IID IID_IBackgroundCopyFile3 = new IID("{659cdeaa-489e-11d9-a9cd-000d56965251}");
    public static final IID IID_IBackgroundCopyFile4 = new IID("{ef7e0655-7888-4960-b0e5-730846e03492}");
    public static final IID IID_IBackgroundCopyFile5 = new IID("{85c1657f-dafc-40e8-8834-df18ea25717e}");
    public static final IID IID_IBackgroundCopyFile6 = new IID("{cf6784f7-d677-49fd-9368-cb47aee9d1ad}");
    public static final IID IID_IEnumBackgroundCopyJobs = new IID("{1af4f612-3b71-466f-8f58-7b6f73ac57ad}");
    public static final IID IID_IEnumBackgroundCopyFiles = new IID("{ca51e165-c365-424c-8d41-24aaa4ff3c40}");
    public static final IID IID_IBackgroundCopyError = new IID("{19c613a0-fcb8-4f28-81ae-897c3d078f81}");
    public static final IID IID_IBackgroundCopyCallback = new IID("{97ea99c7-0186-4ad4-8df9-c5b4e0ed6b22}");
    public static final IID IID_IBackgroundCopyCallback2 = new IID("{659cdeac-489e-11d9-a9cd-000d56965251}");
    public static final IID IID_IBackgroundCopyCallback3 = new IID("{98c97bd2-e32b-4ad8-a528-95fd8b16bd42}");
    public static final IID IID_IBackgroundCopyJobHttpOptions = new IID("{f1bd1079-9f01-4bdc-8036-f09b70095066}");
    public static final IID IID_IBackgroundCopyJobHttpOptions2 = new IID("{b591a192-a405-4fc3-8323-4c5c542578fc}");
    public static final IID IID_IBackgroundCopyJobHttpOptions3 = new IID("{8a9263d3-fd4c-4eda-9b28-30132a4d4e3c}");
    public static final IID IID_IBitsTokenOptions = new IID("{9a2584c3-f7d2-457a-9a5e-22b67bffc7d2}");

    public static final CLSID CLSID_BackgroundCopyManager = new CLSID("{4991d34b-80a1-4291-83b6-3328366b9097}");
    public static final CLSID CLSID_BackgroundCopyManager1_5 = new CLSID("{f087771f-d74f-4c1a-bb8a-e16aca9124ea}");
    public static final CLSID CLSID_BackgroundCopyManager2_0 = new CLSID("{6d18ad12-bde3-4393-b311-099c346e6df9}");
    public static final CLSID CLSID_BackgroundCopyManager2_5 = new CLSID("{03ca98d6-ff5d-49b8-abc6-03dd84127020}");
    public static final CLSID CLSID_BackgroundCopyManager3_0 = new CLSID("{659cdea7-489e-11d9-a9cd-000d56965251}");
    public static final CLSID CLSID_BackgroundCopyManager4_0 = new CLSID("{bb6df56b-cace-11dc-9992-0019b93a3a84}");
    public static final CLSID CLSID_BackgroundCopyManager5_0 = new CLSID("{1ecca34c-e88a-44e3-8d6a-8921bde9e452}");
    public static final CLSID CLSID_BackgroundCopyManager10_1 = new CLSID("{4bd3e4e1-7bd4-4a2b-9964-496400de5193}");
    public static final CLSID CLSID_BackgroundCopyManager10_2 = new CLSID("{4575438f-a6c8-4976-b0fe-2f26b80d959e}");
    public static final CLSID CLSID_BackgroundCopyManager10_3 = new CLSID("{5fd42ad5-c04e-4d36-adc7-e08ff15737ad}");

    /** A versioned manager class: instantiating it proves that BITS {@code version} (or later) is installed. */
    public record VersionedClass(String version, String name, CLSID clsid) {
    }

    /** The versioned manager classes, newest first (reference §2.1: "the CLSID you can instantiate tells the version"). */
    public static final List<VersionedClass> VERSIONED_MANAGERS = List.of(
            new VersionedClass("10.3", "BackgroundCopyManager10_3", CLSID_BackgroundCopyManager10_3),
            new VersionedClass("10.2", "BackgroundCopyManager10_2", CLSID_BackgroundCopyManager10_2),
            new VersionedClass("10.1", "BackgroundCopyManager10_1", CLSID_BackgroundCopyManager10_1),
            new VersionedClass("5.0", "BackgroundCopyManager5_0", CLSID_BackgroundCopyManager5_0),
            new VersionedClass("4.0", "BackgroundCopyManager4_0", CLSID_BackgroundCopyManager4_0),
            new VersionedClass("3.0", "BackgroundCopyManager3_0", CLSID_BackgroundCopyManager3_0),
            new VersionedClass("2.5", "BackgroundCopyManager2_5", CLSID_BackgroundCopyManager2_5),
            new VersionedClass("2.0", "BackgroundCopyManager2_0", CLSID_BackgroundCopyManager2_0),
            new VersionedClass("1.5", "BackgroundCopyManager1_5", CLSID_BackgroundCopyManager1_5));
}
