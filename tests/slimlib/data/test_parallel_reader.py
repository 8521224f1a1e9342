"""slim.parallel_reader: parallel_read, single_pass_read, get_data_files and ParallelReader."""

import collections

import pytest
import tensorflow.compat.v1 as tf

import slimlib.data.parallel_reader as parallel_reader
import slimlib.queues as queues


@pytest.fixture
def record_files(tmp_path):
    """Two TFRecord files: `a.tfrecord` holds b'a0' b'a1' b'a2', `b.tfrecord` b'b0' b'b1' b'b2'."""
    paths = []
    for name in ("a", "b"):
        path = str(tmp_path / f"{name}.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            for i in range(3):
                writer.write(f"{name}{i}".encode())
        paths.append(path)
    return paths


ALL_RECORDS = [b"a0", b"a1", b"a2", b"b0", b"b1", b"b2"]


def test_parallel_read_without_shuffle_reads_files_in_order(graph, drain, record_files):
    key, value = parallel_reader.parallel_read(
        record_files, tf.TFRecordReader, num_epochs=1, num_readers=1, shuffle=False
    )
    assert key.shape.as_list() == [] and value.dtype == tf.string
    with tf.Session() as sess:
        results = drain(sess, [key, value])
    assert [v for _, v in results] == ALL_RECORDS
    assert results[4][0].decode() == f"{record_files[1]}:1"


def test_parallel_read_shuffles_every_epoch_and_stops_after_num_epochs(graph, drain, record_files):
    _, value = parallel_reader.parallel_read(
        record_files, tf.TFRecordReader, num_epochs=2, num_readers=2, shuffle=True, seed=1
    )
    with tf.Session() as sess:
        values = drain(sess, value)
    assert collections.Counter(values) == collections.Counter(ALL_RECORDS * 2)
    assert values != sorted(values)


def test_parallel_read_cycles_forever_without_num_epochs(graph, record_files):
    _, value = parallel_reader.parallel_read(record_files, None, shuffle=False, num_readers=1)
    with tf.Session() as sess:
        values = [sess.run(value) for _ in range(14)]
    assert values == (ALL_RECORDS * 3)[:14]


def test_parallel_read_needs_no_initializer_in_a_monitored_session(graph, record_files):
    _, value = parallel_reader.parallel_read(record_files, None, num_epochs=1, shuffle=False)
    batch = tf.train.batch([value], batch_size=4, allow_smaller_final_batch=True)
    seen = []
    with tf.train.MonitoredSession() as sess:
        while not sess.should_stop():
            seen.extend(sess.run(batch))
    assert sorted(seen) == ALL_RECORDS


def test_parallel_read_reads_compressed_tfrecords(graph, drain, tmp_path):
    path = str(tmp_path / "c.tfrecord.gz")
    options = tf.io.TFRecordOptions(compression_type="GZIP")
    with tf.io.TFRecordWriter(path, options) as writer:
        writer.write(b"zipped")
    _, value = parallel_reader.parallel_read(
        path, tf.TFRecordReader, num_epochs=1, reader_kwargs={"options": options}
    )
    with tf.Session() as sess:
        assert drain(sess, value) == [b"zipped"]


def test_parallel_read_maps_text_line_reader(graph, drain, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("x,y\n1,2\n3,4\n")
    _, value = parallel_reader.parallel_read(
        str(path), tf.TextLineReader, num_epochs=1, reader_kwargs={"skip_header_lines": 1}
    )
    with tf.Session() as sess:
        assert sorted(drain(sess, value)) == [b"1,2", b"3,4"]


def test_parallel_read_runs_other_readers_through_queues(graph, record_files):
    # IdentityReader has no tf.data twin: TF-Slim's queue pipeline runs it (its records are
    # the file names themselves).
    key, value = parallel_reader.parallel_read(
        record_files, tf.IdentityReader, num_epochs=1, num_readers=2, shuffle=False
    )
    assert tf.get_collection(tf.GraphKeys.QUEUE_RUNNERS)
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with queues.QueueRunners(sess):
            values = [sess.run(value) for _ in range(2)]
    assert sorted(values) == [p.encode() for p in record_files]


def test_single_pass_read_reads_each_record_once(graph, drain, record_files):
    _, value = parallel_reader.single_pass_read(record_files, tf.TFRecordReader)
    with tf.Session() as sess:
        assert drain(sess, value) == ALL_RECORDS


def test_get_data_files_expands_and_sorts_globs(record_files, tmp_path):
    pattern = str(tmp_path / "*.tfrecord")
    assert parallel_reader.get_data_files(pattern) == record_files
    assert parallel_reader.get_data_files([record_files[1], pattern]) == [
        record_files[1],
        *record_files,
    ]


@pytest.mark.parametrize(
    "source, match",
    [
        ("*.none", r"no data files match '.*\*\.none'"),
        ("x.tfrecord", "'.*x.tfrecord' does not exist"),
    ],
    ids=["empty-glob", "missing-file"],
)
def test_get_data_files_names_what_is_missing(tmp_path, source, match):
    with pytest.raises(ValueError, match=match):
        parallel_reader.get_data_files(str(tmp_path / source))


def test_parallel_read_rejects_eager_execution(record_files):
    with pytest.raises(RuntimeError, match="parallel_read: slimlib builds graphs"):
        parallel_reader.parallel_read(record_files, tf.TFRecordReader)


def test_parallel_reader_needs_a_string_queue(graph):
    queue = tf.FIFOQueue(4, [tf.int32, tf.string])
    with pytest.raises(TypeError, match=r"must be \[tf.string, tf.string\]"):
        parallel_reader.ParallelReader(tf.TFRecordReader, queue)


def test_parallel_reader_fills_a_common_queue(graph, record_files):
    filenames = tf.train.string_input_producer(record_files, num_epochs=1, shuffle=False)
    common = tf.FIFOQueue(16, [tf.string, tf.string])
    reader = parallel_reader.ParallelReader(tf.TFRecordReader, common, num_readers=2)
    _, value = reader.read(filenames)
    assert reader.num_readers == 2 and reader.common_queue is common
    with tf.Session() as sess:
        sess.run(tf.local_variables_initializer())
        with queues.QueueRunners(sess):
            values = [sess.run(value) for _ in range(6)]
    assert sorted(values) == ALL_RECORDS


def test_saving_a_graph_with_a_reader_exports_its_op_names_without_warning(
    graph, record_files, caplog
):
    _, value = parallel_reader.parallel_read(record_files, None, num_epochs=1, shuffle=False)
    with caplog.at_level("WARNING"):
        meta = tf.train.export_meta_graph()
    assert not [r for r in caplog.records if "Issue encountered" in r.getMessage()]
    [key] = [k for k in meta.collection_def if "record_sources" in k]
    assert list(meta.collection_def[key].node_list.value) == [value.op.name]
    # A graph rebuilt from the export holds the reader op there; batching still works on it.
    with tf.Graph().as_default():
        tf.train.import_meta_graph(meta)
        restored = tf.get_default_graph().get_tensor_by_name(value.name)
        batch = tf.train.batch([restored], batch_size=2)
        assert batch.shape.as_list() == [2]
