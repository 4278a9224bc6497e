package zoo_test

import (
	"context"
	"fmt"

	"github.com/gokeras/gokeras/zoo"
)

func ExampleRecipes() {
	for _, r := range zoo.Recipes() {
		fmt.Println(r.Name)
	}
	// Output:
	// backdoor
	// bert-fortunes
	// ctr-logistic
	// ctr-mlp
	// dcn
	// deepfm
	// dense
	// digits
	// digits-ctc
	// fortunes-cnn
	// fortunes-lstm
	// fortunes-transformer
	// gpt-opticks
	// inception
	// iris
	// kws
	// lenet
	// lenet-robust
	// linear
	// logistic
	// mlp
	// mnist
	// mnist-dp
	// multitask-digits
	// resnet-fashion
	// siamese-digits
	// two-tower
	// vgg-digits
	// widedeep
}

func ExampleFind() {
	_, err := zoo.Find("resnet")
	fmt.Println(err)
	// Output:
	// zoo: unknown recipe "resnet" (valid: backdoor, bert-fortunes, ctr-logistic, ctr-mlp, dcn, deepfm, dense, digits, digits-ctc, fortunes-cnn, fortunes-lstm, fortunes-transformer, gpt-opticks, inception, iris, kws, lenet, lenet-robust, linear, logistic, mlp, mnist, mnist-dp, multitask-digits, resnet-fashion, siamese-digits, two-tower, vgg-digits, widedeep)
}

func ExampleFind_run() {
	r, err := zoo.Find("linear")
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := r.Run(context.Background(), zoo.Settings{}) // the recipe's defaults, silent
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("weight %.2f (least squares %.2f)\n", res.Extra["weight"], res.Extra["ls_weight"])
	fmt.Printf("bias %.2f (least squares %.2f)\n", res.Extra["bias"], res.Extra["ls_bias"])
	// Output:
	// weight 3.03 (least squares 3.03)
	// bias 2.50 (least squares 2.50)
}
