# node-gyp project for the thin KVM addon (see kvm_addon.cc). Built by packages/vmm's `install`
# script (native/build.mjs) during `pnpm install`; output: native/build/Release/tsvmm_kvm.node.
{
  "targets": [
    {
      "target_name": "tsvmm_kvm",
      "sources": ["kvm_addon.cc"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
