using System.Text;

namespace AttentionService.Tests.Support;

/// <summary>Large /attend bodies built as text directly (no nested arrays in memory): rank-3 tensors of one value.</summary>
public static class LargeBodies
{
    /// <summary>An /attend body: <paramref name="prefix"/> (e.g. <c>"model": "bahdanau", </c>) then each role as a tensor of the given shape.</summary>
    public static string Attend(string prefix, params (string Role, int Batch, int Rows, int Columns)[] tensors)
    {
        var json = new StringBuilder().Append('{').Append(prefix);
        for (var t = 0; t < tensors.Length; t++)
        {
            if (t > 0) json.Append(", ");
            json.Append('"').Append(tensors[t].Role).Append("\": ");
            Tensor(json, tensors[t].Batch, tensors[t].Rows, tensors[t].Columns);
        }
        return json.Append('}').ToString();
    }

    /// <summary>Appends a [batch][rows][columns] tensor of 0.5s.</summary>
    public static void Tensor(StringBuilder json, int batch, int rows, int columns)
    {
        json.Append('[');
        for (var b = 0; b < batch; b++)
        {
            json.Append(b > 0 ? ",[" : "[");
            for (var r = 0; r < rows; r++)
            {
                json.Append(r > 0 ? ",[" : "[");
                for (var c = 0; c < columns; c++) json.Append(c > 0 ? ",0.5" : "0.5");
                json.Append(']');
            }
            json.Append(']');
        }
        json.Append(']');
    }
}
