using EdgeInfinite.Corpus.Corpus;
using EdgeInfinite.Corpus.Loss;

namespace EdgeInfinite.Corpus.Tests;

public sealed class LossTextTests(TrainedTokenizer trained) : IClassFixture<TrainedTokenizer>
{
    [Fact]
    public void Read_MakeCorpusTextOfTheHeldOutSeed_SameIdsAndMaskAsHeldOutCorpus()
    {
        var encoder = new SampleEncoder(trained.GenAi);
        string path = WriteFile(string.Concat(new SyntheticCorpus(new CorpusOptions { Seed = HeldOutLossText.Seed }).Samples(10).Select(SyntheticCorpus.ToTrainingText)));
        var heldOut = HeldOutLossText.Create(encoder, 3000);

        var read = LossTextFile.Read(path, encoder, trained.GenAi, 3000);

        Assert.Equal(heldOut.Ids, read.Ids);
        Assert.Equal(heldOut.Assistant, read.Assistant);
        Assert.Contains(true, read.Assistant);
        Assert.Equal(HeldOutLossText.Seed, heldOut.Seed);
        Assert.Null(read.Seed);
    }

    [Fact]
    public void Read_PlainAndChatMlDocuments_IdsOfTheWholeTextAssistantOnlyInChatMl()
    {
        var encoder = new SampleEncoder(trained.GenAi);
        string chat = "<|im_start|>user\nWhere is Anna?<|im_end|>\n<|im_start|>assistant\nIn Paris.<|im_end|>\n";
        string text = "Plain words, no roles.<|endoftext|>\n" + chat + "<|endoftext|>\n" + "A last piece without a separator.";
        string path = WriteFile(text);

        var read = LossTextFile.Read(path, encoder, trained.GenAi, 10_000);

        Assert.Equal(trained.GenAi.Encode(text), read.Ids);
        Assert.Equal(3, read.Documents);
        var assistant = read.Ids.Where((_, i) => read.Assistant[i]).ToArray();
        Assert.Equal("In Paris.<|im_end|>", trained.Managed.Decode(assistant, skipSpecialTokens: false));
    }

    [Theory]
    [InlineData("<|im_start|>user\nhi<|im_end|>\n", 1)]
    [InlineData("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n", 2)]
    [InlineData("<|im_start|>user\nhi<|im_end|>", 0)]
    [InlineData("text <|im_start|>user\nhi<|im_end|>\n", 0)]
    [InlineData("", 0)]
    public void ParseChatMl_Text_MessagesOnlyWhenTheWholeTextIsChatMl(string text, int messages)
    {
        var parsed = LossTextFile.ParseChatMl(text);

        Assert.Equal(messages, parsed?.Count ?? 0);
        if (parsed is not null)
        {
            Assert.Equal(text, SyntheticCorpus.Render(parsed));
        }
    }

    [Fact]
    public void Read_TooFewTokensOrMissingFile_ExceptionNamingTheFile()
    {
        var encoder = new SampleEncoder(trained.GenAi);
        string empty = WriteFile(string.Empty);
        string missing = Path.Combine(trained.Directory, "missing.txt");

        var tooShort = Assert.Throws<InvalidDataException>(() => LossTextFile.Read(empty, encoder, trained.GenAi, 100));
        var absent = Assert.Throws<FileNotFoundException>(() => LossTextFile.Read(missing, encoder, trained.GenAi, 100));

        Assert.Contains(empty, tooShort.Message, StringComparison.Ordinal);
        Assert.Contains(missing, absent.Message, StringComparison.Ordinal);
    }

    private string WriteFile(string text)
    {
        string path = Path.Combine(trained.Directory, Guid.NewGuid().ToString("N") + ".txt");
        File.WriteAllText(path, text);
        return path;
    }
}
