// swift-tools-version:5.9
// The Swift package of permslip's mobile bindings: the generated Swift (`Permslip`) over the Rust
// static library in `PermslipFFI.xcframework`.
//
// The XCFramework is build output, not checked in: run `mobile/build-xcframework.sh` on a Mac
// first, then add this folder (mobile/) to an Xcode project as a local package. Not built here:
// the machine this was written on has no Swift toolchain (docs/MOBILE.md).

import PackageDescription

let package = Package(
    name: "Permslip",
    // The build script sets IPHONEOS_DEPLOYMENT_TARGET and MACOSX_DEPLOYMENT_TARGET to these, so
    // the static library and the Swift code agree on the oldest OS they run on.
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Permslip", targets: ["Permslip"]),
    ],
    targets: [
        // The C side: permslipFFI.h, its module map and libpermslip_mobile.a for each platform.
        .binaryTarget(name: "PermslipFFI", path: "PermslipFFI.xcframework"),
        // The generated Swift; it imports PermslipFFI when that module is present.
        .target(
            name: "Permslip",
            dependencies: ["PermslipFFI"],
            path: "swift/Sources/Permslip"
        ),
    ]
)
