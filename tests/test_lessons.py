"""The lessons' computations reproduce the slides' printed numbers (lectures 000 and 003)."""

import torch

from aeviz import lessons

T = torch.tensor


def test_nearest_and_bed_of_nails():
    assert torch.equal(lessons.nearest_unpool(), T([[1.0, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]))
    assert torch.equal(lessons.bed_of_nails_unpool(), T([[1.0, 0, 2, 0], [0, 0, 0, 0], [3, 0, 4, 0], [0, 0, 0, 0]]))


def test_max_unpool_remembers_the_slides_indices():
    r = lessons.max_unpool()
    assert torch.equal(r.pooled, T([[5.0, 6], [7, 8]]))
    assert torch.equal(r.indices, T([[5, 2], [12, 15]]))
    # the slide prints a 4 at (3, 2); only the maxima come back, so that cell is 0
    assert torch.equal(r.unpooled, T([[0.0, 0, 6, 0], [0, 5, 0, 0], [0, 0, 0, 0], [7, 0, 0, 8]]))


def test_transposed_conv_of_ones_stride_2():
    assert torch.equal(lessons.transposed_conv(), T([[1.0, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]))


def test_transposed_conv_3x3_stride_2_pad_1_and_output_sizes():
    out = lessons.transposed_conv(kernel=torch.ones(3, 3).tolist(), stride=2, padding=1)
    assert out.shape == (3, 3)  # "Output 3x3 (crop 1 pixel at the border)"
    assert torch.equal(out, T([[1.0, 3, 2], [4, 10, 6], [3, 7, 4]]))  # sums where copies overlap
    assert lessons.transposed_out_size(3, 3, stride=2, padding=1) == 5  # 5 = 2 * (3 - 1) + 3 - 2 * 1
    assert lessons.transposed_out_size(2, 2, stride=2) == 4
    assert lessons.conv_out_size(5, 3, stride=2, padding=1) == 3  # and back again


def test_convolution_as_a_matrix():
    r = lessons.conv_as_matrix()
    assert torch.equal(r.output, T([[-4.0, 4], [-8, -4]]))
    assert r.matrix.shape == (4, 16)
    assert torch.equal(r.matrix[0], T([1.0, 0, -1, 0, 2, 0, -2, 0, 1, 0, -1, 0, 0, 0, 0, 0]))  # the slide's first column
    expected = torch.nn.functional.conv_transpose2d(r.output[None, None], T(lessons.SOBEL)[None, None])[0, 0]
    assert torch.equal(r.transposed, expected)


def test_six_by_six_worked_example():
    r = lessons.conv_example()
    assert torch.equal(r.conv1[0], T([6.0, 11, 1, 7, -5, 3]))
    assert torch.equal(r.conv1[5], T([-4.0, 21, 10, 14, 11, 6]))
    assert r.relu.min() == 0 and r.relu[0, 4] == 0
    assert torch.equal(r.pooled, T([[11.0, 16, 20], [20, 29, 22], [27, 28, 21]]))
    assert torch.equal(r.conv2, T([[56.0, 78, 49], [88, 126, 86], [75, 98, 72]]))
    assert r.upsampled.shape == (6, 6) and r.upsampled[1, 1] == 56 and r.upsampled[5, 5] == 72


def test_three_input_relu_example():
    r = lessons.dense_example()
    assert torch.equal(r.pre, T([0.0, 2.0])) and torch.equal(r.z, T([0.0, 2.0]))
    assert torch.equal(r.x_hat, T([0.0, 2.0, 0.0]))
    assert r.error == 10.0
