{
  "targets": [
    {
      "target_name": "delta_onednn",
      "sources": ["src/addon.cc"],
      "cflags_cc": ["-std=c++14", "-O3", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lgomp"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
