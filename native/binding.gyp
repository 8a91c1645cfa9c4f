{
  "targets": [
    {
      "target_name": "biocheck_matcher",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src/matcher').filter(f=>f.endsWith('.cc')).map(f=>'src/matcher/'+f).join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src/matcher"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=x86-64-v2", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"]
    },
    {
      "target_name": "biocheck_extract",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src/extract').filter(f=>f.endsWith('.cc')).map(f=>'src/extract/'+f).join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src/extract"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=x86-64-v2", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"]
    },
    {
      "target_name": "biocheck_vector",
      "sources": ["<!@(node -p \"require('fs').readdirSync('src/vector').filter(f=>f.endsWith('.cc')).map(f=>'src/vector/'+f).join(' ')\")"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "src/vector", "../node_modules/hnswlib-node/src"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=x86-64-v2", "-fexceptions", "-pthread", "-Wno-unused-function", "-Wno-sign-compare", "-Wno-type-limits", "-Wno-uninitialized"],
      "cflags_cc!": ["-fno-rtti", "-fno-exceptions"],
      "ldflags": ["-pthread"]
    }
  ]
}
