using static TorchSharp.torch;

namespace EdgeInfinite.Training.Tests;

public sealed class TorchSharpLoadingTests
{
    [Fact]
    public void TorchSharp_NativeLibraryLoads_MatmulAndBackwardGiveExactValues()
    {
        using var a = tensor(new float[] { 1, 2, 3, 4 }, [2, 2], requires_grad: true);
        using var b = tensor(new float[] { 5, 6, 7, 8 }, [2, 2]);
        using var product = a.matmul(b);
        using var sum = product.sum();
        sum.backward();

        Assert.Equal([19f, 22f, 43f, 50f], product.data<float>().ToArray());
        Assert.Equal([11f, 15f, 11f, 15f], a.grad!.data<float>().ToArray());
    }
}
