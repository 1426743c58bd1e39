using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Nn;
using ScottPlot;

namespace FashionMnist;

/// <summary>Test-set confusion matrix and learning curves.</summary>
internal static class Report
{
    public static readonly string[] Classes = { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };

    public static int[,] Confusion(IClassifierTrainer<float> trainer, Dataset<float> test)
    {
        var predicted = new int[test.Count];
        trainer.Predict(test.X, predicted);
        var matrix = new int[10, 10];
        for (var i = 0; i < test.Count; i++)
        {
            matrix[test.Y[i], predicted[i]]++;
        }

        return matrix;
    }

    public static void PrintConfusion(int[,] matrix)
    {
        Console.WriteLine("confusion matrix (rows: true class, columns: predicted):");
        Console.WriteLine(new string(' ', 13) + string.Concat(Enumerable.Range(0, 10).Select(j => j.ToString(CultureInfo.InvariantCulture).PadLeft(6))));
        for (var i = 0; i < 10; i++)
        {
            var row = new StringBuilder(Classes[i].PadRight(13));
            for (var j = 0; j < 10; j++)
            {
                row.Append(matrix[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(6));
            }

            Console.WriteLine(row);
        }
    }

    public static void ConfusionCsv(int[,] matrix, string path)
    {
        var csv = new StringBuilder("true\\predicted," + string.Join(",", Classes) + "\n");
        for (var i = 0; i < 10; i++)
        {
            csv.Append(Classes[i]).Append(',').AppendJoin(',', Enumerable.Range(0, 10).Select(j => matrix[i, j])).Append('\n');
        }

        File.WriteAllText(path, csv.ToString());
    }

    public static void Curves(TrainingResult result, string name, string path)
    {
        var plot = new Plot();
        plot.Title($"Fashion-MNIST {name}");
        var epochs = result.Epochs.Select(e => (double)e.Epoch).ToArray();
        plot.Add.Scatter(epochs, result.Epochs.Select(e => e.Loss).ToArray()).LegendText = "training loss";
        plot.Add.Scatter(epochs, result.Epochs.Select(e => e.ValidationLoss).ToArray()).LegendText = "validation loss";
        plot.Add.Scatter(epochs, result.Epochs.Select(e => e.Accuracy).ToArray()).LegendText = "training accuracy";
        plot.Add.Scatter(epochs, result.Epochs.Select(e => e.ValidationAccuracy).ToArray()).LegendText = "validation accuracy";
        plot.XLabel("epoch");
        plot.ShowLegend();
        plot.SavePng(path, 800, 500);
    }
}
