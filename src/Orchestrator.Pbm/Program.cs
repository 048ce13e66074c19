Console.Error.WriteLine("pbm: not yet wired");
