using System.Diagnostics;
using System.Diagnostics.Metrics;
using EdgeInfinite.SemanticKernel.Diagnostics;
using EdgeInfinite.SemanticKernel.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace EdgeInfinite.SemanticKernel.Tests;

/// <summary>Logging levels, the meter and the activity source.</summary>
[Collection(TinyChatCollection.Name)]
public sealed class TelemetryTests(TinyChatPackage package)
{
    [Fact]
    public async Task Logging_DebugLevel_LogsRequestNumbersButNoMessageContents()
    {
        using var logs = new CallbackLoggerFactory(minimumLevel: LogLevel.Debug);
        using var client = package.CreateClient(loggerFactory: logs);

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "A very private question about zebras.")], new ChatOptions { Temperature = 0, MaxOutputTokens = 6 });

        Assert.Contains(logs.Entries, e => e.Message.Contains("route short", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Message.Contains("6 output tokens", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("zebras", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Entries, e => r.Text.Length > 3 && e.Message.Contains(r.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Logging_TraceLevel_LogsPromptAndResponse()
    {
        using var logs = new CallbackLoggerFactory();
        using var client = package.CreateClient(loggerFactory: logs);

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "zebras")], new ChatOptions { Temperature = 0, MaxOutputTokens = 6 });

        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.Contains("<|im_start|>user\nzebras<|im_end|>", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Trace && e.Message.EndsWith(r.Details.RawText, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Meter_Request_RecordsTimeToFirstTokenTokensPerSecondAndRouteCounter()
    {
        var measurements = new List<(string Instrument, double Value, string? Route)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EdgeInfiniteTelemetry.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? route = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "edgeinfinite.route")
                {
                    route = tag.Value as string;
                }
            }

            lock (measurements)
            {
                measurements.Add((instrument.Name, value, route));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.Start();
        using var client = package.CreateClient();

        await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Hello")], new ChatOptions { Temperature = 0, MaxOutputTokens = 8 });

        Assert.Contains(measurements, m => m.Instrument == "edgeinfinite.requests" && m.Value == 1 && m.Route == "short");
        Assert.Contains(measurements, m => m.Instrument == "edgeinfinite.time_to_first_token" && m.Value > 0 && m.Route == "short");
        Assert.Contains(measurements, m => m.Instrument == "edgeinfinite.tokens_per_second" && m.Value > 0);
    }

    [Fact]
    public async Task ActivitySource_Request_EmitsChatActivityWithUsageTags()
    {
        var activities = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EdgeInfiniteTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                lock (activities)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var client = package.CreateClient();

        var r = await StreamedResponse.CollectAsync(client, [new(ChatRole.User, "Hello")], new ChatOptions { Temperature = 0, MaxOutputTokens = 5 });

        var activity = Assert.Single(activities, a => (string?)a.GetTagItem("gen_ai.response.id") == r.Final.ResponseId);
        Assert.Equal("chat tiny-chat", activity.DisplayName);
        Assert.Equal("short", activity.GetTagItem("edgeinfinite.route"));
        Assert.Equal(r.Details.PromptTokenIds.Count, activity.GetTagItem("gen_ai.usage.input_tokens"));
    }
}
