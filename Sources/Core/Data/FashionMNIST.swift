// Fashion-MNIST from the Debian package dataset-fashion-mnist: 60,000 training and 10,000 test images.
import Runtime

/// The directory where Debian's `dataset-fashion-mnist` installs the files.
public let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

/// The ten Fashion-MNIST classes, in label order.
public let fashionMNISTClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                     "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

/// Loads Fashion-MNIST: images `[N, 1, 28, 28]` in [0, 1], labels 0–9.
///
/// - Parameter directory: where `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz` live.
/// - Returns: the 60,000 training and 10,000 test examples.
/// - Throws: `CoreError.badFile`; for a missing file the message says how to install the package.
public func fashionMNIST(directory: String = fashionMNISTDirectory, token: CancellationToken? = nil) throws -> (train: Dataset, test: Dataset) {
    func load(_ part: String) throws -> Dataset {
        let images = "\(directory)/\(part)-images-idx3-ubyte.gz"
        let labels = "\(directory)/\(part)-labels-idx1-ubyte.gz"
        for path in [images, labels] where !fileExists(path) {
            throw CoreError.badFile(path: path, message: "Fashion-MNIST is not installed: install the Debian package "
                + "dataset-fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
        var data = try idxDataset(images: images, labels: labels, token: token)
        data.classCount = 10
        data.classNames = fashionMNISTClassNames
        return data
    }
    return (try load("train"), try load("t10k"))
}
