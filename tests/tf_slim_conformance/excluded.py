"""The only TF-Slim tests the conformance run leaves out, each with its reason.

A test is listed here only if it tests a private TF-Slim helper (slimlib has no such helper
to test) or needs a test-only dependency this project does not install. Keys are pytest node
ids relative to the folder the wheel's test files are extracted to.
"""

_INNER_FLATTEN = "tests TF-Slim's private layers._inner_flatten"
_STRICT_1D_CUMSUM = "tests TF-Slim's private histogram_ops._strict_1d_cumsum"
_NEXT_ARRAY_SIZE = "tests TF-Slim's private metric_ops._next_array_size"
# TensorFlow's legacy batch_normalization layer (tensorflow.python.layers.normalization)
# imports tf_keras, which this project does not install: slimlib never uses Keras, only
# this test does. (The legacy dense and conv1d layers the other rev_block tests use run
# without it.)
_TF_KERAS = "needs tf_keras (tensorflow.python.layers.normalization), a test-only dependency"

EXCLUDED: dict[str, str] = {
    "layers/layers_test.py::PartialFlattenTest::testDensePartialFlatten": _INNER_FLATTEN,
    "layers/layers_test.py::PartialFlattenTest::testSparsePartialFlatten": _INNER_FLATTEN,
    "layers/layers_test.py::PartialFlattenTest::testIncompleteShape": _INNER_FLATTEN,
    "layers/layers_test.py::PartialFlattenTest::testDenseFlattenRankAssertion": _INNER_FLATTEN,
    "layers/layers_test.py::PartialFlattenTest::testSparseFlattenRankAssertion": _INNER_FLATTEN,
    "metrics/histogram_ops_test.py::Strict1dCumsumTest::test_empty_tensor_returns_empty": (
        _STRICT_1D_CUMSUM
    ),
    "metrics/histogram_ops_test.py::Strict1dCumsumTest::test_length_1_tensor_works": (
        _STRICT_1D_CUMSUM
    ),
    "metrics/histogram_ops_test.py::Strict1dCumsumTest::test_length_3_tensor_works": (
        _STRICT_1D_CUMSUM
    ),
    "metrics/metric_ops_test.py::StreamingConcatTest::testNextArraySize": _NEXT_ARRAY_SIZE,
    "layers/rev_block_lib_test.py::RecomputeTest::testWithIsRecomputeKwarg": _TF_KERAS,
}
